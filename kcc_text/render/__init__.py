"""Rich renderings of library results. Functions here return renderables and never print."""
