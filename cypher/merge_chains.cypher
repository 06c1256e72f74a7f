// Chain nodes. Parameters: $rows (id, name, name_en, seq)
UNWIND $rows AS row
MERGE (c:Chain {id: row.id})
SET c.name = row.name,
    c.name_en = row.name_en,
    c.seq = row.seq
