-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
/*!40101 SET NAMES utf8mb4 */;
/* mysql does /* not nest */ SELECT 1;
SELECT 2;

-- +downgrade
SELECT 1;
