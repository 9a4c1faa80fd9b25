"""HTTP routers: thin, typed, with their work done by the runtime's components."""
