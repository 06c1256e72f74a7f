// Ids of the anchor firms in the given regions (index seeks on Firm.region). Parameters: $regions
UNWIND $regions AS region_id
MATCH (f:Firm {region: region_id})
WHERE f.anchor = true
RETURN f.id AS id
