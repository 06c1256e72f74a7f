// What is in a Neo4j database now, counted (the Dataset node keeps the counts of the last
// complete load). Neo4j only (FalkorDB runs count_nodes_falkordb): each COUNT {} of a label or
// of a relationship type with one labelled end is answered from Neo4j's count store, without
// a scan; the anchors are counted through the Firm.anchor index. No parameters.
RETURN COUNT { (:Firm) } AS firms,
       COUNT { (:Firm)-[:SUPPLIES]->() } AS links,
       COUNT { (:Segment) } AS segments,
       COUNT { (:Segment)-[:FEEDS]->() } AS segment_links,
       COUNT { (:Chain) } AS chains,
       COUNT { (:Region) } AS regions,
       COUNT { (:Firm {anchor: true}) } AS anchors,
       COUNT { (:Dataset) } AS datasets,
       COUNT { () } AS nodes,
       COUNT { ()-[]->() } AS relationships
