-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
DELIMITER $$
CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW
BEGIN
  SET NEW.a = 1;
END$$
DELIMITER ;
SELECT 1;

-- +downgrade
SELECT 1;
