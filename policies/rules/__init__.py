"""One module per rule; each exposes ``RULE`` (metadata and logic together). The registry
lists them; fixtures/<RULE-ID>.json holds each rule's passing and failing cases."""
