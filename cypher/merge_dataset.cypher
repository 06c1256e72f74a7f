// The one Dataset node: metadata, and who loaded it. complete stays false until
// complete_dataset runs, so a load that died halfway is detected.
// Parameters: $name, $title, $description, $licence, $sources, $home_region, $currency,
// $source, $fingerprint, $chaingraph_version, $schema_version, $started_at
MERGE (d:Dataset {name: $name})
SET d.title = $title,
    d.description = $description,
    d.licence = $licence,
    d.sources = $sources,
    d.home_region = $home_region,
    d.currency = $currency,
    d.source = $source,
    d.fingerprint = $fingerprint,
    d.chaingraph_version = $chaingraph_version,
    d.schema_version = $schema_version,
    d.started_at = $started_at,
    d.complete = false
