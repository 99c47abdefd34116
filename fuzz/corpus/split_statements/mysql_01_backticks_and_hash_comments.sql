# a comment; here
CREATE TABLE `we;ird` (id int); # trailing
SELECT 1;
