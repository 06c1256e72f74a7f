// FalkorDB: what is in the database now, from the graph's own label and relationship-type
// counters (constant time, where count_nodes scans a million-firm graph for seconds).
// No parameters.
CALL db.meta.stats() YIELD labels, relTypes, relCount, nodeCount
OPTIONAL MATCH (a:Firm {anchor: true})
RETURN coalesce(labels.Firm, 0) AS firms, coalesce(relTypes.SUPPLIES, 0) AS links,
       coalesce(labels.Segment, 0) AS segments, coalesce(relTypes.FEEDS, 0) AS segment_links,
       coalesce(labels.Chain, 0) AS chains, coalesce(labels.Region, 0) AS regions,
       count(a) AS anchors, coalesce(labels.Dataset, 0) AS datasets, nodeCount AS nodes,
       relCount AS relationships
