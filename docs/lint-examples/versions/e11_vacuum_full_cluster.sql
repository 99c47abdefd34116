-- vacuum_full_cluster
--
-- Revision ID: e11
-- Revises: e10
-- Transaction: false

-- +upgrade
SET lock_timeout = '2s';
VACUUM FULL users;
CLUSTER users USING users_pkey;
