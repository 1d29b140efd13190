"""Entry point for `pulumi up` / `pulumi preview`: the stack name selects the environment."""

from seccat.program import main

main()
