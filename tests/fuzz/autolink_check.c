/* Self-check of the instrumented cmark-gfm (build-instrumented.sh): parses argv[1] with the GFM
 * autolink extension attached, which lexicon deliberately does not do. Debian 12's copy reads
 * before the text buffer in validate_protocol when a text node starts with ":@", so under ASan
 * this must stop with a heap-buffer-overflow; if it does not, the library is not instrumented. */
#include <stdio.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

int main(int argc, char** argv) {
  const char* text = argc > 1 ? argv[1] : ":@";
  cmark_gfm_core_extensions_ensure_registered();
  cmark_parser* parser = cmark_parser_new(CMARK_OPT_DEFAULT);
  cmark_parser_attach_syntax_extension(parser, cmark_find_syntax_extension("autolink"));
  cmark_parser_feed(parser, text, strlen(text));
  cmark_node* doc = cmark_parser_finish(parser);
  char* html = cmark_render_html(doc, CMARK_OPT_DEFAULT, NULL);
  fputs(html, stdout);
  cmark_get_default_mem_allocator()->free(html);
  cmark_node_free(doc);
  cmark_parser_free(parser);
  return 0;
}
