DROP TABLE data_sources;
