"""Independent judges of what moto stores without checking: IAM policy documents
(policy_lint.py, cfn-lint) and schedule expressions (schedules.py, the AWS user guides)."""
