"""Drawing: static maps (matplotlib) and web maps (folium); they compute no metric."""
