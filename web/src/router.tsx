import { useLocation as useWouterLocation, useSearch } from 'wouter';

/**
 * Routing is wouter's (a small maintained router on the history API): its Link, Route, Switch and
 * Redirect are used as they are. `useLocation` keeps the shape the pages already read.
 */
export { Link, Redirect, Route, Switch, useParams } from 'wouter';
export { navigate, useHistoryState } from 'wouter/use-browser-location';

export function useLocation(): { path: string; search: URLSearchParams } {
  const [path] = useWouterLocation();
  const search = useSearch();
  return { path, search: new URLSearchParams(search) };
}
