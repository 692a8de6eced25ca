"""What every layer may use: settings, bearer tokens, the database engine, the Temporal client
and its data converter with payload encryption. Imports nothing else of the project."""
