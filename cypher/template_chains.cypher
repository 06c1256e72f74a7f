// Every chain. No parameters.
MATCH (c:Chain)
RETURN c.id AS id, c.name AS name, c.name_en AS name_en, c.seq AS seq
ORDER BY seq
