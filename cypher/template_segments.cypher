// Every segment of every chain template. No parameters.
MATCH (s:Segment)
RETURN s.id AS id, s.chain AS chain, s.name AS name, s.name_en AS name_en, s.stage AS stage, s.seq AS seq
ORDER BY seq
