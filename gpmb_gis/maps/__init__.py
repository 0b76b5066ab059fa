"""Drawing: static maps (matplotlib) and web maps (folium); they compute no metric."""

__all__: list[str] = []  # the drawing is in the modules: static, charts, web
