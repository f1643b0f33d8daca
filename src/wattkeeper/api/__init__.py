"""The HTTP side: REST channel endpoints, JSON-RPC, authentication and the server."""
