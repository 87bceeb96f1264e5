"""Local stand-ins for everything the monitor talks to: AWS emulated in-process by moto with
resources made from template.yaml, a DeepSeek simulator on 127.0.0.1, a Lambda context.
Used by the tests and by `make local`; never deployed."""
