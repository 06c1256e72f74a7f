// Ids of the firms whose id, name or English name is exactly $text. Parameters: $text
MATCH (f:Firm {id: $text})
RETURN f.id AS id
UNION
MATCH (f:Firm {name: $text})
RETURN f.id AS id
UNION
MATCH (f:Firm {name_en: $text})
RETURN f.id AS id
