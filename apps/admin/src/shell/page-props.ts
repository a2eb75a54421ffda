/** What the shell gives every page. Its own file: the navigation lazy-loads the pages, so pages cannot import it. */
export interface PageProps {
  /** The page's name as the menu shows it, for its heading. */
  title: string;
}
