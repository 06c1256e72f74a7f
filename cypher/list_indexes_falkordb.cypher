// The indexes of a FalkorDB graph, as (label, property, status) rows; status is OPERATIONAL
// once an index is filled, "[Indexing] n/m: UNDER CONSTRUCTION" while FalkorDB still fills it
// in the background (queries do not use it until then). No parameters.
CALL db.indexes() YIELD label, properties, status
UNWIND properties AS property
RETURN label, property, status
