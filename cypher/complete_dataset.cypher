// Marks a load finished and records the dataset's counts.
// Parameters: $name, $loaded_at, $firms, $links, $segments, $segment_links, $chains, $regions, $anchors
MATCH (d:Dataset {name: $name})
SET d.complete = true,
    d.loaded_at = $loaded_at,
    d.firms = $firms,
    d.links = $links,
    d.segments = $segments,
    d.segment_links = $segment_links,
    d.chains = $chains,
    d.regions = $regions,
    d.anchors = $anchors
