"""What the resource declarations are made of: the Resource type, fields, schemas, arguments."""
