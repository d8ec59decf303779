"""Plain-Python geography (no Django): GCJ-02 ↔ WGS84, approximate town areas from centre points, placing
points in towns, and reading a town-boundary GeoJSON upload. Geometries are shapely objects in WGS84
(lon, lat degrees); what is stored is their GeoJSON mapping."""
