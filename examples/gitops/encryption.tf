# State and saved plans encrypted at rest (OpenTofu's encryption block). Every runner that
# knows the passphrase can read the state and apply a plan another runner saved.
terraform {
  encryption {
    key_provider "pbkdf2" "team" {
      passphrase = var.state_passphrase
    }
    method "aes_gcm" "team" {
      keys = key_provider.pbkdf2.team
    }
    state {
      method   = method.aes_gcm.team
      enforced = true
    }
    plan {
      method   = method.aes_gcm.team
      enforced = true
    }
  }
}
