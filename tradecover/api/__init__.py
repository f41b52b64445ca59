"""HTTP adapter: the FastAPI application, its error mapping and shared dependencies."""
