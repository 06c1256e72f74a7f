// Region nodes. Parameters: $rows (id, name, name_en, parent, level, lat, lon, seq)
UNWIND $rows AS row
MERGE (r:Region {id: row.id})
SET r.name = row.name,
    r.name_en = row.name_en,
    r.parent = row.parent,
    r.level = row.level,
    r.lat = row.lat,
    r.lon = row.lon,
    r.seq = row.seq
