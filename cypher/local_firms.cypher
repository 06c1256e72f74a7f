// Ids of the firms in the given regions (index seeks on Firm.region). Parameters: $regions
UNWIND $regions AS region_id
MATCH (f:Firm {region: region_id})
RETURN f.id AS id
