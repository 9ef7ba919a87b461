import org.apache.spark.sql.SparkSession;

/**
 * JSON lines to a Parquet table of one file (bench/spark-embed.sh), on Spark's class path:
 *
 *   java -Dspark.master=local[1] -cp SPARK_CLASSPATH ToParquet.java IN.jsonl OUT.parquet
 */
public class ToParquet {
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().appName("to parquet").getOrCreate();
    spark.read().json(args[0]).select("id", "text").coalesce(1).write().parquet(args[1]);
    spark.stop();
  }
}
