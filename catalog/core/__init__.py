"""The domain: the contract's rules as plain functions and the answers built on them; no Flask."""
