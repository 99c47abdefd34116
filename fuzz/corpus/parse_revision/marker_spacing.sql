--Revision ID: a
--   +upgrade   
SELECT 1;
--+downgrade
