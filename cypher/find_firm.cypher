// The firms whose id (rank 0), name (rank 1) or English name (rank 2) is exactly $text; the
// store takes the best rank, then the first in the dataset (seq). Parameters: $text
MATCH (f:Firm {id: $text})
RETURN f.id AS id, 0 AS rank, f.seq AS seq
UNION
MATCH (f:Firm {name: $text})
RETURN f.id AS id, 1 AS rank, f.seq AS seq
UNION
MATCH (f:Firm {name_en: $text})
RETURN f.id AS id, 2 AS rank, f.seq AS seq
