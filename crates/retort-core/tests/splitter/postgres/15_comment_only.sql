-- nothing here
/* or here */
