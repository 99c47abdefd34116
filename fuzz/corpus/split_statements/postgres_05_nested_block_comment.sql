/* outer /* inner; */ still comment; */
SELECT 1;
