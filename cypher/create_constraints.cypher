// Neo4j 5 schema: a uniqueness constraint (which brings its index) on every id, and the
// indexes the read queries seek on. One statement per line; no parameters.
CREATE CONSTRAINT chaingraph_dataset_name IF NOT EXISTS FOR (n:Dataset) REQUIRE n.name IS UNIQUE
CREATE CONSTRAINT chaingraph_region_id IF NOT EXISTS FOR (n:Region) REQUIRE n.id IS UNIQUE
CREATE CONSTRAINT chaingraph_chain_id IF NOT EXISTS FOR (n:Chain) REQUIRE n.id IS UNIQUE
CREATE CONSTRAINT chaingraph_segment_id IF NOT EXISTS FOR (n:Segment) REQUIRE n.id IS UNIQUE
CREATE CONSTRAINT chaingraph_firm_id IF NOT EXISTS FOR (n:Firm) REQUIRE n.id IS UNIQUE
CREATE INDEX chaingraph_firm_region IF NOT EXISTS FOR (n:Firm) ON (n.region)
CREATE INDEX chaingraph_firm_anchor IF NOT EXISTS FOR (n:Firm) ON (n.anchor)
CREATE INDEX chaingraph_firm_name IF NOT EXISTS FOR (n:Firm) ON (n.name)
CREATE INDEX chaingraph_firm_name_en IF NOT EXISTS FOR (n:Firm) ON (n.name_en)
CREATE CONSTRAINT chaingraph_project_id IF NOT EXISTS FOR (n:Project) REQUIRE n.id IS UNIQUE
