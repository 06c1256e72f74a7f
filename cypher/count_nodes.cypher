// What is in the database now, counted (the Dataset node keeps the counts of the last
// complete load). No parameters.
OPTIONAL MATCH (f:Firm)
WITH count(f) AS firms
OPTIONAL MATCH (a:Firm {anchor: true})
WITH firms, count(a) AS anchors
OPTIONAL MATCH (:Firm)-[l:SUPPLIES]->(:Firm)
WITH firms, anchors, count(l) AS links
OPTIONAL MATCH (s:Segment)
WITH firms, anchors, links, count(s) AS segments
OPTIONAL MATCH (:Segment)-[e:FEEDS]->(:Segment)
WITH firms, anchors, links, segments, count(e) AS segment_links
OPTIONAL MATCH (c:Chain)
WITH firms, anchors, links, segments, segment_links, count(c) AS chains
OPTIONAL MATCH (r:Region)
WITH firms, anchors, links, segments, segment_links, chains, count(r) AS regions
OPTIONAL MATCH (d:Dataset)
WITH firms, anchors, links, segments, segment_links, chains, regions, count(d) AS datasets
OPTIONAL MATCH ()-[x]->()
WITH firms, anchors, links, segments, segment_links, chains, regions, datasets, count(x) AS relationships
OPTIONAL MATCH (n)
RETURN firms, links, segments, segment_links, chains, regions, anchors, datasets,
       count(n) AS nodes, relationships
