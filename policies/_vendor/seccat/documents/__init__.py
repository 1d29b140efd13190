"""Pure generators of reviewable documents (IAM JSON, Vault HCL, SQL) from the model.

Components, `seccat render` and the tests all call these, so what a reviewer reads in a
pull request is byte for byte what gets deployed.
"""
