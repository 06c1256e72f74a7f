// The node id of every firm, for create_supply_links_falkordb (FalkorDB only). No parameters.
MATCH (f:Firm)
RETURN f.id AS id, id(f) AS node
