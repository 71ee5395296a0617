sites = {
  sh = { public_ip = "202.108.22.5", idc_cidr = "10.1.0.0/16", netnum = 1, lans = 2 }
  bj = { public_ip = "203.0.113.7", idc_cidr = "10.2.0.0/16", netnum = 2 }
}

shared_cidrs = ["192.168.100.0/24"]
