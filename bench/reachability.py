"""Reachability at plan time: how long check_reachability (every plan) and the matrix
(graph -type=reachability) take for N sites, PER sites to a VPC (one gateway, one route
table each; the product allows 20 tunnels per gateway).

Usage: .venv/bin/python bench/reachability.py PER N [N ...]
"""
import sys, time
import os
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from engine import values as V
from engine.providers import PlannedObject
from providers.tencentcloud import reachability
U = V.UNKNOWN
class P:  # a provider that is never asked (no known IDs: no cloud reads)
    pass
def obj(address, references=None, **value):
    return PlannedObject(address=address, type_name=address.split(".")[-2] if address.startswith("module") else address.split(".")[0],
                         value={"id": U, **value}, provider=P(), action="create", references=references or {})
def build(n):
    objs=[]
    for i in range(n):
        if i % PER == 0:
            h=i//PER
            VPC=f"tencentcloud_vpc.hub[{h}]"; RT=f"tencentcloud_route_table.hub[{h}]"; GW=f"tencentcloud_vpn_gateway.hub[{h}]"
            objs+=[obj(VPC, cidr_block="10.0.0.0/8", assistant_cidrs=U),
                   obj(RT, vpc_id=U, references={"vpc_id":[(VPC,"id")]}),
                   obj(GW, vpc_id=U, references={"vpc_id":[(VPC,"id")]})]
        m=f'module.site["s{i}"].'
        a, b = divmod(i, 256)
        objs.append(PlannedObject(m+"tencentcloud_subnet.site","tencentcloud_subnet",{"id":U,"cidr_block":f"10.{a}.{b}.0/24","vpc_id":U,"route_table_id":U},P(),"create",{"vpc_id":[(VPC,"id")],"route_table_id":[(RT,"id")]}))
        objs.append(PlannedObject(m+"tencentcloud_vpn_customer_gateway.idc","tencentcloud_vpn_customer_gateway",{"id":U},P(),"create",{}))
        remote=f"172.{16+a}.{b}.0/24"
        objs.append(PlannedObject(m+"tencentcloud_vpn_connection.tunnel","tencentcloud_vpn_connection",{"id":U,"vpc_id":U,"vpn_gateway_id":U,"customer_gateway_id":U,"security_group_policy":[{"local_cidr_block":f"10.{a}.{b}.0/24","remote_cidr_block":[remote]}]},P(),"create",{"vpc_id":[(VPC,"id")],"vpn_gateway_id":[(GW,"id")],"customer_gateway_id":[("module.site.tencentcloud_vpn_customer_gateway.idc","id")]}))
        objs.append(PlannedObject(m+f'tencentcloud_route_table_entry.to_idc["{remote}"]',"tencentcloud_route_table_entry",{"id":U,"route_table_id":U,"destination_cidr_block":remote,"next_type":"VPN","next_hub":U},P(),"create",{"route_table_id":[(RT,"id")],"next_hub":[(GW,"id")]}))
    return objs
PER=int(sys.argv[1])
for n in map(int, sys.argv[2:]):
    objs=build(n)
    t=time.perf_counter(); d=reachability.check_reachability(objs); t1=time.perf_counter()-t
    t=time.perf_counter(); m=reachability.matrix(objs); t2=time.perf_counter()-t
    print(f"{n} sites, {PER} per VPC/gateway/route table ({len(objs)} objects): check_reachability {t1:.2f}s ({len(d)} warnings), matrix {t2:.2f}s ({len(m.cells)} cells, {sum(c.status=='reachable' for c in m.cells)} reachable)")
