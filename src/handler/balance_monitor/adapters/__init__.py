"""One small adapter per outside system; nothing outside this package imports boto3 or requests."""
