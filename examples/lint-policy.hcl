# A lint policy for pipelines: what each kind of security finding becomes.
#   vpnform plan -lint=../lint-policy.hcl     (the path as seen from the working directory)
# Rule names are those shown in each finding's detail, e.g. (lint rule "weak-dh-group").

default = "error" # every finding fails the plan unless a rule below says otherwise

# A judgement call rather than a flaw: shown, but a pipeline goes on.
rule "long-lifetime" { severity = "warn" }
rule "lifetimes-differ" { severity = "warn" }

# IKEv1 fails the plan, except on the guide's tunnel, kept on IKEv1 until its IDC device
# is replaced. An entry is a resource, an instance or a module ("module.legacy" exempts
# everything in it); an exempt address's finding is not shown at all.
rule "ikev1" {
  except = ["tencentcloud_vpn_connection.tom"]
}
