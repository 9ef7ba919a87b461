/**
 * LangChain4j in-process: Transformers4J models behind LangChain4j's interfaces, with no server in
 * between. A BERT-family folder is an {@code EmbeddingModel}; a decoder or encoder-decoder folder
 * is a streaming language model and a streaming chat model.
 *
 * <p>LangChain4j 1.19's jars have no module descriptor and no {@code Automatic-Module-Name}, so
 * {@code langchain4j.core} is the name the JDK derives from the jar's file name ({@code
 * langchain4j-core-1.19.0.jar}). It is required {@code transitive} because this module's public
 * types implement LangChain4j's interfaces; the warning javac gives for a transitive automatic
 * module is expected and suppressed here.
 */
@SuppressWarnings({"requires-transitive-automatic", "requires-automatic"})
module io.github.transformers4j.langchain4j {
  requires transitive io.github.transformers4j.api;
  requires transitive io.github.transformers4j.models;
  requires transitive langchain4j.core;

  exports io.github.transformers4j.langchain4j;
}
