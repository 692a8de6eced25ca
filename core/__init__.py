"""What every process shares: the Temporal data converter and its payload encryption."""
