// Ids and regions of every anchor firm (an index seek on Firm.anchor). No parameters.
MATCH (f:Firm {anchor: true})
RETURN f.id AS id, f.region AS region
ORDER BY id
