// The indexes of a FalkorDB graph, as (label, property) pairs. No parameters.
CALL db.indexes() YIELD label, properties
UNWIND properties AS property
RETURN label, property
