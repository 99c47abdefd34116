-- create_tables
--
-- Revision ID: e01
-- Revises: 

-- +upgrade
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total integer);
CREATE INDEX orders_user_id ON orders (user_id);
CREATE TYPE mood AS ENUM ('ok', 'happy');
