"""Offline engine: run the real Pulumi program under Pulumi's mock monitor and record what
it registers, in the shape CrossGuard policies see."""
