// Up to $limit firms whose id, name or English name starts with $prefix (index range seeks),
// offered as "did you mean". Parameters: $prefix, $limit
MATCH (f:Firm)
WHERE f.id STARTS WITH $prefix
RETURN f.id AS id
LIMIT $limit
UNION
MATCH (f:Firm)
WHERE f.name STARTS WITH $prefix
RETURN f.id AS id
LIMIT $limit
UNION
MATCH (f:Firm)
WHERE f.name_en STARTS WITH $prefix
RETURN f.id AS id
LIMIT $limit
